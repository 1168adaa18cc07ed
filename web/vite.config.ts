import { defineConfig } from "vite";

// A static SPA: dist/ is copied to S3 (infra/deploy/deploy-web.sh) or served by the local
// gateway (infra/local/gateway.py). /config.json is not part of the build: the gateway answers
// it locally and deploy-web.sh writes it next to index.html for Cognito.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    target: "es2022",
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  server: {
    // `npm run dev` next to `make dev`: the API and /local/login go to the local gateway.
    proxy: Object.fromEntries(
      ["/v1", "/local", "/config.json", "/health"].map((p) => [p, `http://127.0.0.1:${process.env.LEADWAVE_PORT ?? 3000}`]),
    ),
  },
});
