// Show each opt-in section's questions only while its tickbox is ticked.
// Without JavaScript every question stays visible, and the form still works.
document.querySelectorAll("[data-shown-by]").forEach((section) => {
  const box = document.getElementById(section.dataset.shownBy);
  if (!box) return;
  const sync = () => section.classList.toggle("d-none", !box.checked);
  box.addEventListener("change", sync);
  sync();
});
