/* global require, module, __filename */
/*
 * Entry point Nx loads for the `connector` generator. Nx loads generator implementations with
 * require(), and on Node 20 it can only compile TypeScript when @swc-node/register or ts-node is
 * installed; neither is. tsx (already a workspace dependency, it runs the server) compiles the
 * TypeScript source on the fly, so the generator stays TypeScript without a build step.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { require: tsxRequire } = require('tsx/cjs/api');

module.exports = tsxRequire('./connector-generator.ts', __filename);
