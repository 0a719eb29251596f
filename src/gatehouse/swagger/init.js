// Starts Swagger UI on Gatehouse's OpenAPI document. A file, not an inline script, so the
// page keeps the strict Content-Security-Policy; no validator badge (it would call out).
window.ui = SwaggerUIBundle({
  url: "/gatehouse/openapi.json",
  dom_id: "#swagger-ui",
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
});
