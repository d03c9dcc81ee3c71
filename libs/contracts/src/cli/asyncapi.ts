import { writeFileSync } from "node:fs";
import { buildAsyncApi } from "../asyncapi.ts";

const target = new URL("../../../../docs/asyncapi.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(buildAsyncApi(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
