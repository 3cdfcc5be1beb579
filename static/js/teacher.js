// The teacher's classroom page: show the children's join link in full, with the address this browser used
// (the server only knows a relative link unless DOODLE_PUBLIC_URL is set; it never trusts the Host header).
for (const link of document.querySelectorAll("[data-join-link]")) {
  const url = new URL(link.getAttribute("href"), window.location.href);
  link.href = url.href;
  link.textContent = url.href;
}
