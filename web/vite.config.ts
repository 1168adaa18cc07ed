import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";

const OUT_DIR = "dist";

/** public/sw.js is copied as it is; after the build this writes into dist/sw.js the files of the
 * app shell (index.html, the manifest, an icon, every built asset) and a hash of the build, so a
 * deploy with changed files installs a new worker (whose activation drops the old caches). */
function serviceWorkerShell(): Plugin {
  let assets: string[] = [];
  return {
    name: "leadwave-sw",
    apply: "build",
    generateBundle(_options, bundle) {
      assets = Object.keys(bundle).filter((f) => f.startsWith("assets/")).sort();
    },
    closeBundle() {
      const dist = resolve(import.meta.dirname, OUT_DIR);
      const file = resolve(dist, "sw.js");
      const template = readFileSync(file, "utf8");
      const shell = ["/index.html", "/manifest.webmanifest", "/icons/icon-192.png", ...assets.map((a) => `/${a}`)];
      const build = createHash("sha256")
        .update(readFileSync(resolve(dist, "index.html")))
        .update(template)
        .update(shell.join("\n"))
        .digest("hex")
        .slice(0, 12);
      const written = template
        .replace(/^const BUILD = .*;$/m, `const BUILD = ${JSON.stringify(build)};`)
        .replace(/^const SHELL = .*;$/m, `const SHELL = ${JSON.stringify(shell)};`);
      if (written === template) throw new Error("sw.js: BUILD and SHELL were not found");
      writeFileSync(file, written);
    },
  };
}

// A static SPA: dist/ is copied to S3 (infra/deploy/deploy-web.sh) or served by the local
// gateway (infra/local/gateway.py). /config.json is not part of the build: the gateway answers
// it locally and deploy-web.sh writes it next to index.html for Cognito.
export default defineConfig({
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  plugins: [serviceWorkerShell()],
  build: {
    target: "es2022",
    outDir: OUT_DIR,
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
  },
  server: {
    // `npm run dev` next to `make dev`: the API, /local/login and the live socket go to the local gateway.
    proxy: {
      ...Object.fromEntries(
        ["/v1", "/local", "/config.json", "/health"].map((p) => [p, `http://127.0.0.1:${process.env.LEADWAVE_PORT ?? 3000}`]),
      ),
      "/ws": { target: `ws://127.0.0.1:${process.env.LEADWAVE_PORT ?? 3000}`, ws: true },
    },
  },
});
