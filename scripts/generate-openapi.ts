/**
 * `npm run generate:openapi`: writes functions/http/openapi.json from the route schemas. The openapi
 * function serves this file, so its bundle carries neither zod nor the routes; a test fails when the
 * file is not what the schemas generate (run this script after changing a route).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { currentOpenApiDocument } from '../functions/http/openapi-document';

const target = join(__dirname, '..', 'functions', 'http', 'openapi.json');
writeFileSync(target, `${JSON.stringify(currentOpenApiDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${target}\n`);
