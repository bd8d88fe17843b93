// Sends the CSRF token with htmx requests. Every page works without this script.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) event.detail.headers["X-CSRFToken"] = meta.content;
});

// When an htmx request fails (a session that expired, a lost connection), say so in the
// page instead of doing nothing; the text comes translated from the page itself.
function tequioSay(text) {
  var box = document.getElementById("htmx-problem");
  if (!box || !text) return;
  box.textContent = text;
  box.hidden = false;
}
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr ? event.detail.xhr.status : 0;
  var body = document.body.dataset;
  tequioSay(status === 401 || status === 403 ? body.htmxSignedOut : body.htmxFailed);
});
document.addEventListener("htmx:sendError", function () {
  tequioSay(document.body.dataset.htmxOffline);
});
document.addEventListener("htmx:beforeRequest", function () {
  var box = document.getElementById("htmx-problem");
  if (box) box.hidden = true;
});
