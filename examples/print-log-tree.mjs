// Prints stored logs as a tree by their parent links: kind, name or model, tokens, duration.

/** @param {Array<Record<string, any>>} logs as the local log server returns them */
export function printLogTree(logs) {
  const byReference = new Map(logs.map((log) => [log.reference_id, log]));
  const children = new Map();
  const roots = [];
  for (const log of logs) {
    const parent = log.parent_reference_id;
    if (parent && byReference.has(parent)) {
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(log);
    } else {
      roots.push(log);
    }
  }
  for (const root of roots) printNode(root, children, '', true, true);
  console.log(`\n${logs.length} logs, ${roots.length} roots, ${logs.length - roots.length} linked to a parent`);
}

function printNode(log, children, prefix, isLast, isRoot) {
  const branch = isRoot ? '' : isLast ? '└─ ' : '├─ ';
  console.log(`${prefix}${branch}${describe(log)}`);
  const kids = children.get(log.reference_id) ?? [];
  const nextPrefix = isRoot ? prefix : prefix + (isLast ? '   ' : '│  ');
  kids.forEach((kid, index) => printNode(kid, children, nextPrefix, index === kids.length - 1, false));
}

function describe(log) {
  const config = log.config ?? {};
  const what =
    config.type === 'model'
      ? `${config.provider ?? config.other?.provider ?? '?'}/${config.model}`
      : config.type === 'agent'
        ? `${config.agent_class} (${config.model_config?.model})`
        : config.name;
  const parts = [`[${config.type}]`.padEnd(9), what];
  if (log.prompt_tokens !== undefined || log.output_tokens !== undefined) {
    parts.push(`tokens ${log.prompt_tokens ?? '-'}→${log.output_tokens ?? '-'}`);
  }
  if (typeof log.duration === 'number') parts.push(`${(log.duration * 1000).toFixed(1)} ms`);
  if (log.error) parts.push(`error: ${log.error}`);
  parts.push(`ref ${log.reference_id}`);
  if (log.parent_reference_id) parts.push(`parent ${log.parent_reference_id}`);
  return parts.join('  ');
}
