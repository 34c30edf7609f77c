// node bench/cold-start-child.mjs VARIANT: the variant's modules loaded with import(), built, measured.
import setup from './cold-start-setup.cjs';

const { MODULES, build, report } = setup;
const variant = process.argv[2];
const modules = {};
for (const name of MODULES[variant]) modules[name] = await import(name);
build(variant, modules);
report();
process.exit(0);
