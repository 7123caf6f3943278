#!/usr/bin/env node
// The `latchkey` command: the compiled CLI (built by `npm install`/`npm run build` at the repository root).
import '../dist/cli/main.js';
