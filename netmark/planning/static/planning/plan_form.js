// Plan form: show only the schedule fields of the chosen preset, and grey out rows marked "remove".
(function () {
  "use strict";
  var form = document.querySelector(".plan-form");
  if (!form) {
    return;
  }

  function chosenSchedule() {
    var checked = form.querySelector('input[name="schedule"]:checked');
    return checked ? checked.value : "once";
  }

  function showSchedule() {
    var schedule = chosenSchedule();
    form.querySelectorAll(".schedule-part").forEach(function (part) {
      part.hidden = part.dataset.schedule !== schedule;
    });
  }

  function markRemoved(checkbox) {
    var row = checkbox.closest("tr");
    if (row) {
      row.classList.toggle("row-removed", checkbox.checked);
    }
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name === "schedule") {
      showSchedule();
    } else if (target.type === "checkbox" && /-DELETE$/.test(target.name)) {
      markRemoved(target);
    }
  });
  form.querySelectorAll('input[type="checkbox"][name$="-DELETE"]').forEach(markRemoved);
  showSchedule();
})();
