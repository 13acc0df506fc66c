// Under each text field with a limit (maxlength and data-count), how many characters are
// used, as the member types: "120 of 2,000 characters". The browser's maxlength already
// stops the typing at the limit; this says how close it is. Counted as maxlength counts
// (a line break is one character). Without JavaScript the field's help text says the limit.
document.querySelectorAll("[data-count][maxlength]").forEach((field) => {
  const limit = Number(field.getAttribute("maxlength"));
  const counter = document.createElement("div");
  counter.className = "form-text char-count";
  counter.id = `${field.id || field.name}-count`;
  field.insertAdjacentElement("afterend", counter);
  const described = field.getAttribute("aria-describedby");
  field.setAttribute("aria-describedby", described ? `${described} ${counter.id}` : counter.id);
  const sync = () => {
    const used = field.value.length;
    counter.textContent = `${used.toLocaleString("en-US")} of ${limit.toLocaleString("en-US")} characters`;
    counter.classList.toggle("text-danger", used >= limit);
  };
  field.addEventListener("input", sync);
  sync();
});
