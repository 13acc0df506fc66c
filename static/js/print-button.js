// A button that opens the browser's print dialog (data-print), where a certificate can also be
// saved as a PDF. Hidden without JavaScript: the browser's own Print menu does the same.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
