import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Imports run one way: app → jobs → lib, and components/ is UI only.
const layers = {
  files: ["**/*.ts", "**/*.tsx"],
  rules: {
    "import/no-restricted-paths": [
      "error",
      {
        zones: [
          { target: "./lib", from: ["./app", "./jobs", "./components"], message: "lib/ is the bottom layer: it never imports app/, jobs/ or components/." },
          { target: "./jobs", from: ["./app", "./components"], message: "jobs/ may import lib/ only." },
          {
            target: "./components",
            from: ["./lib/db", "./node_modules/@prisma"],
            message: "components/ are UI only: pages pass them data read through lib/db.",
          },
          { target: "./app/**/page.tsx", from: ["./lib/db/generated", "./node_modules/@prisma"], message: "pages read through lib/db, not the Prisma client." },
        ],
      },
    ],
  },
};

// Pages and route handlers read and write through lib/db's functions (they may pass db() to them).
const noQueriesInApp = {
  files: ["app/**/*.ts", "app/**/*.tsx"],
  rules: {
    "no-restricted-syntax": [
      "error",
      {
        selector: "MemberExpression[object.type='CallExpression'][object.callee.name='db']",
        message: "Query through a lib/db function, not db() directly.",
      },
    ],
  },
};

const config = [
  ...nextVitals,
  ...nextTs,
  layers,
  noQueriesInApp,
  {
    ignores: [".next/**", "node_modules/**", "lib/db/generated/**", ".data/**", "artifacts/**", "test-results/**", "playwright-report/**", "next-env.d.ts"],
  },
];

export default config;
