/**
 * `npm run schema`: writes schema/schema.graphql from the type-graphql classes. The file is committed; a test
 * fails when it differs from what the code builds, so clients' codegen always sees the real API.
 */
import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import { buildAppSchema, printAppSchema } from './build-schema.js';

const target = process.argv[2] ?? 'schema/schema.graphql';
await writeFile(target, printAppSchema(await buildAppSchema()));
process.stdout.write(`wrote ${target}\n`);
