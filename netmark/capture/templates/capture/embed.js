{% autoescape off %}/* netmark form embed: renders the form where this script tag stands and posts it to netmark.
 * Every label and message is set as text (textContent), never parsed as HTML. */
(function (w, d) {
  var script = d.currentScript;
  if (!script) return;
  var spec = {{ form_json }};
  var base = script.src.split("/").slice(0, 3).join("/");
  var root = d.createElement("div");
  root.className = "nm-embed";
  root.setAttribute("lang", spec.language);
  script.parentNode.insertBefore(root, script);

  function el(tag, attrs, text) {
    var node = d.createElement(tag);
    for (var key in attrs) if (attrs.hasOwnProperty(key)) node.setAttribute(key, attrs[key]);
    if (text != null) node.textContent = text;
    return node;
  }

  if (!d.getElementById("nm-embed-style")) {
    var style = el("style", { id: "nm-embed-style" });
    style.textContent = ".nm-embed .nm-field{margin-bottom:1rem}.nm-embed label{display:block}" +
      ".nm-embed input:not([type=checkbox]),.nm-embed textarea,.nm-embed select{width:100%;box-sizing:border-box;padding:.45rem}" +
      ".nm-embed .nm-error,.nm-embed .nm-form-message{color:#c62828}" +
      ".nm-embed .nm-hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}";
    d.head.appendChild(style);
  }

  var form = el("form", { "class": "nm-form", novalidate: "novalidate" });
  var message = el("p", { "class": "nm-form-message", role: "alert" });
  form.appendChild(message);
  var hp = el("div", { "class": "nm-hp", "aria-hidden": "true" });
  hp.appendChild(el("input", { type: "text", name: spec.honeypot, tabindex: "-1", autocomplete: "off" }));
  form.appendChild(hp);
  var errors = {};

  spec.fields.forEach(function (field, index) {
    var box = el("div", { "class": "nm-field nm-field-" + field.kind });
    var id = "nm-embed-" + index + "-" + Math.random().toString(36).slice(2, 8);
    var label = el("label", { "for": id }, field.label + (field.required ? " *" : ""));
    var input;
    if (field.kind === "textarea") {
      input = el("textarea", { id: id, name: field.name, rows: "4" });
    } else if (field.kind === "select") {
      input = el("select", { id: id, name: field.name });
      input.appendChild(el("option", { value: "" }, ""));
      field.choices.forEach(function (choice) { input.appendChild(el("option", { value: choice }, choice)); });
    } else if (field.kind === "checkboxes") {
      box.appendChild(el("span", {}, label.textContent));
      field.choices.forEach(function (choice) {
        var option = el("label", {});
        option.appendChild(el("input", { type: "checkbox", name: field.name, value: choice }));
        option.appendChild(d.createTextNode(" " + choice));
        box.appendChild(option);
      });
      label = null;
    } else if (field.kind === "checkbox") {
      label = el("label", {});
      label.appendChild(el("input", { type: "checkbox", name: field.name, value: "on" }));
      label.appendChild(d.createTextNode(" " + field.label + (field.required ? " *" : "")));
    } else {
      input = el("input", { id: id, type: field.kind, name: field.name });
    }
    if (label) box.appendChild(label);
    if (input) box.appendChild(input);
    var error = el("p", { "class": "nm-error" });
    errors[field.name] = error;
    box.appendChild(error);
    form.appendChild(box);
  });

  if (spec.consent_text) {
    var consent = el("label", { "class": "nm-consent" });
    consent.appendChild(el("input", { type: "checkbox", name: "consent", value: "on" }));
    consent.appendChild(d.createTextNode(" " + spec.consent_text));
    form.appendChild(consent);
  }
  var button = el("button", { type: "submit" }, spec.submit_label);
  form.appendChild(button);
  root.appendChild(form);

  function values() {
    var data = { _token: spec.token, _page: w.location.href.split("#")[0] };
    var inputs = form.querySelectorAll("input, textarea, select");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var multi = spec.fields.some(function (f) { return f.name === input.name && f.kind === "checkboxes"; });
      if (input.type === "checkbox" && !input.checked) continue;
      if (multi) (data[input.name] = data[input.name] || []).push(input.value);
      else data[input.name] = input.value;
    }
    return data;
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    button.disabled = true;
    for (var name in errors) if (errors.hasOwnProperty(name)) errors[name].textContent = "";
    message.textContent = "";
    w.fetch(base + spec.action, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(values())
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      button.disabled = false;
      if (answer.ok) {
        if (/^https?:\/\//.test(answer.redirect_url || "")) { w.location.href = answer.redirect_url; return; }
        root.replaceChild(el("p", { "class": "nm-thanks", role: "status" }, answer.message), form);
        return;
      }
      message.textContent = answer.message || "";
      var fields = answer.fields || {};
      for (var key in fields) if (fields.hasOwnProperty(key) && errors[key]) errors[key].textContent = fields[key];
    }, function () {
      button.disabled = false;
      message.textContent = "Network error / 网络错误";
    });
  });
})(window, document);
{% endautoescape %}
