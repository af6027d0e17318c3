#!/usr/bin/env node
// Generates TypeScript types for proto/ into packages/common/src/generated/
// (not committed: it is build output). The loader options in
// packages/common/src/rpc/proto.ts must match the flags here.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const protoRoot = join(root, 'proto');
const outDir = join(root, 'packages', 'common', 'src', 'generated');
const files = readdirSync(join(protoRoot, 'rivulet', 'v1'))
  .filter((f) => f.endsWith('.proto'))
  .map((f) => `rivulet/v1/${f}`);
const generator = join(root, 'packages', 'common', 'node_modules', '.bin', 'proto-loader-gen-types');
rmSync(outDir, { recursive: true, force: true });
execFileSync(
  generator,
  [
    '--longs=Number', '--enums=String', '--defaults', '--oneofs',
    '--grpcLib=@grpc/grpc-js', '--importFileExtension=.js',
    `--includeDirs=${protoRoot}`, `--outDir=${outDir}`, ...files,
  ],
  { cwd: protoRoot, stdio: ['ignore', 'ignore', 'inherit'] },
);
