/* Hosted forms and landing pages: tell netmark which page the form was sent from. */
(function (d) {
  var inputs = d.querySelectorAll("input[data-nm-page]");
  for (var i = 0; i < inputs.length; i++) inputs[i].value = d.location.href.split("#")[0];
})(document);
