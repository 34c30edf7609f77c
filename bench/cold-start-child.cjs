// node bench/cold-start-child.cjs VARIANT: the variant's modules loaded with require(), built, measured.
const { MODULES, build, report } = require('./cold-start-setup.cjs');

const variant = process.argv[2];
const modules = {};
for (const name of MODULES[variant]) modules[name] = require(name);
build(variant, modules);
report();
process.exit(0);
