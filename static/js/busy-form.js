// A form whose work takes a while ("Make the 500 pairs"): once sent, its button is
// disabled and the page says what is happening, so that nobody waits in front of a
// page that seems frozen, or presses again. Without JavaScript the form works the
// same (pressing twice is safe on the server); it just says nothing while it works.
for (const form of document.querySelectorAll("form[data-busy]")) {
  form.addEventListener("submit", () => {
    for (const button of form.querySelectorAll("button[type='submit']")) {
      button.disabled = true;
    }
    const status = document.getElementById(form.dataset.busyStatus);
    if (status) {
      status.querySelector("[data-busy-text]").textContent = form.dataset.busy;
      status.hidden = false;
    }
  });
}
