// The teacher pages: a theme's "All" button ticks every object of that theme in one tap (or clears them all when
// all are ticked), and the children's join link shows in full with the address this browser used (the server only
// knows a relative link unless DOODLE_PUBLIC_URL is set; it never trusts the Host header).
for (const button of document.querySelectorAll(".theme-all")) {
  const boxes = [...button.closest(".theme-group").querySelectorAll("input[name=objects]")];
  const show = () => button.setAttribute("aria-pressed", String(boxes.every((b) => b.checked)));
  button.addEventListener("click", () => {
    const tick = !boxes.every((b) => b.checked);
    for (const b of boxes) b.checked = tick;
    show();
  });
  for (const b of boxes) b.addEventListener("change", show);
  show();
}

for (const link of document.querySelectorAll("[data-join-link]")) {
  const url = new URL(link.getAttribute("href"), window.location.href);
  link.href = url.href;
  link.textContent = url.href;
}
