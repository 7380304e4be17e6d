import { defineConfig } from "vitest/config";

/**
 * Two projects: `fast` (pure functions, small repos) for the inner loop (`npm run test:fast`),
 * and `slow` (files named *.slow.test.ts: large generated repositories, full CLI runs).
 */
export default defineConfig({
  test: {
    reporters: ["default", "./test/helpers/summary-reporter.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: "fast", include: ["test/**/*.test.ts"], exclude: ["test/**/*.slow.test.ts"] },
      },
      {
        extends: true,
        test: { name: "slow", include: ["test/**/*.slow.test.ts"] },
      },
    ],
  },
});
