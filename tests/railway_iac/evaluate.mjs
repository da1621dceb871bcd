// node evaluate.mjs FILE: imports FILE (a copy of .railway/railway.ts placed here as
// .mjs, so `railway/iac` resolves to the stand-in) and prints its graph as JSON.
const [file, environment = "production"] = process.argv.slice(2);
const mod = await import(file);
const graph = mod.default({ command: "plan", environment, environmentName: environment });
process.stdout.write(JSON.stringify(graph));
