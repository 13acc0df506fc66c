// Keep the mentee (or the mentor) chosen in a drop-down when the committee then searches
// for the other one: the search form carries the choice along. Read when the search is
// sent, not when a drop-down changes: a choice made before this script ran, or restored
// by the browser, fires no change event.
// Without JavaScript, search for both at once, then choose: the page works the same.
const search = document.getElementById("pair-search");
if (search) {
  search.addEventListener("submit", () => {
    for (const name of ["mentee", "mentor"]) {
      const select = document.getElementById(`id_${name}`);
      const kept = search.querySelector(`input[type="hidden"][name="${name}"]`);
      if (select && kept) kept.value = select.value;
    }
  });
}
