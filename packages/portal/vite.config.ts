import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The engine is pure TypeScript: the portal bundles it from source (device filter validation).
export default defineConfig({
  plugins: [react()],
  resolve: {
    alias: { "@gatehouse/engine": fileURLToPath(new URL("../engine/src/index.ts", import.meta.url)) },
  },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
