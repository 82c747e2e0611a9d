// Starts Swagger UI on /docs (a file, not an inline script, so the page's policy allows no inline script).
// The schema's URL comes from the page; "Authorize" takes a Bearer token (from POST /api/v1/auth/login
// or `crowdform admin token`) and keeps it across reloads.
(() => {
  const root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.openapiUrl,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    persistAuthorization: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
})();
