import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "dist/",
      ".test-build/",
      "node_modules/",
      ".azurite/",
      "coverage/",
      "bench-results/",
      "portal/dist/",
      "portal/node_modules/",
      "eslint.config.mjs",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      // Each file is checked with its nearest tsconfig.json: portal/ has its own (DOM, JSX, bundler resolution).
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-confusing-void-expression": ["error", { ignoreArrowShorthand: true }],
    },
  },
  {
    // The domain knows no Azure, token library or HTTP: those are adapters' business (README "Development").
    files: ["shared/domain/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@azure/*"], message: "The domain imports no Azure SDK: put it in shared/adapters/." },
            { group: ["jose", "jose/*"], message: "Token validation is an adapter: shared/adapters/." },
            {
              group: ["node:http", "node:https", "http", "https", "node:http2", "http2", "undici", "undici/*"],
              message: "The domain knows no HTTP: map it in shared/adapters/ or functions/.",
            },
            { group: ["**/adapters/*", "**/services"], message: "The domain depends on no adapter." },
          ],
        },
      ],
    },
  },
  {
    files: ["portal/**/*.{ts,tsx}"],
    ...reactHooks.configs.flat.recommended,
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-non-null-assertion": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
    },
  },
);
