// Starts Swagger UI on /docs over the app's OpenAPI document (a file, not inline: the pages'
// Content-Security-Policy allows scripts from this server only).
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: document.getElementById("swagger-ui").dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
