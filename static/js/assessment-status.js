// Progressive enhancement for the "scoring your answers" page: ask every few seconds
// whether the result is ready and reload when it is. Without it, the page's
// "Check again" link does the same by hand.
(function () {
  "use strict";
  var state = document.getElementById("scoring-state");
  if (!state || !window.fetch) {
    return;
  }
  var url = state.getAttribute("data-status-url");
  var tries = 0;
  function later(delay) {
    if (tries < 60) {
      window.setTimeout(check, delay);
    }
  }
  function check() {
    tries += 1;
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.status !== "scoring") {
          window.location.reload();
        } else {
          later(3000);
        }
      })
      .catch(function () {
        later(6000);
      });
  }
  later(2000);
})();
