// A checkbox in a table's header that ticks or unticks every row's checkbox of that name
// (data-check-all="pair"). Hidden without JavaScript: then each row is ticked by hand.
document.querySelectorAll("[data-check-all]").forEach((all) => {
  const boxes = () => document.querySelectorAll(`input[type="checkbox"][name="${all.dataset.checkAll}"]`);
  all.hidden = false;
  all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
});
