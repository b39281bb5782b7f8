#!/usr/bin/env node
// Installed copies run the compiled output (`npm run build`); Node will not strip types inside node_modules.
const { runProgram } = await import('../dist/cli/main.js');
await runProgram();
