import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

/** Where `npm start` serves the API, the development token issuer and the page's configuration. */
const localHost = process.env.APP_PASSWORDS_LOCAL_HOST ?? "http://localhost:7071";

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      "/api": localHost,
      "/dev": localHost,
      "/config.json": localHost,
    },
  },
  // Fluent UI and MSAL make one large bundle; it is cached, and splitting it would not speed the first load.
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
