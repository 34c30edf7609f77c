// Prints stored logs as a tree by their parent links: kind, name or model, tokens, duration.
// Takes the logs of either API: v4 logs link by reference ids, v5 logs by returned ids.

/** @param {Array<Record<string, any>>} logs as the local log server returns them (`logs()` or `v5Logs()`) */
export function printLogTree(logs) {
  const v5 = logs.some((log) => log.path !== undefined && log.reference_id === undefined);
  const keyOf = (log) => (v5 ? log.id : log.reference_id);
  const parentOf = (log) => (v5 ? log.trace_parent_id : log.parent_reference_id);
  const byKey = new Map(logs.map((log) => [keyOf(log), log]));
  const children = new Map();
  const roots = [];
  for (const log of logs) {
    const parent = parentOf(log);
    if (parent && byKey.has(parent)) {
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(log);
    } else {
      roots.push(log);
    }
  }
  const describe = v5 ? describeV5 : describeV4;
  for (const root of roots) printNode(root, { children, keyOf, describe }, '', true, true);
  console.log(`\n${logs.length} logs, ${roots.length} roots, ${logs.length - roots.length} linked to a parent`);
}

function printNode(log, tree, prefix, isLast, isRoot) {
  const branch = isRoot ? '' : isLast ? '└─ ' : '├─ ';
  console.log(`${prefix}${branch}${tree.describe(log)}`);
  const kids = tree.children.get(tree.keyOf(log)) ?? [];
  const nextPrefix = isRoot ? prefix : prefix + (isLast ? '   ' : '│  ');
  kids.forEach((kid, index) => printNode(kid, tree, nextPrefix, index === kids.length - 1, false));
}

function describeV4(log) {
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

function describeV5(log) {
  const parts = [`[${log.type}]`.padEnd(9), log.path];
  if (log.prompt?.model) parts.push(log.prompt.model);
  if (log.prompt_tokens !== undefined || log.output_tokens !== undefined) {
    parts.push(`tokens ${log.prompt_tokens ?? '-'}→${log.output_tokens ?? '-'}`);
  }
  const millis = Date.parse(log.end_time) - Date.parse(log.start_time);
  if (Number.isFinite(millis)) parts.push(`${millis} ms`);
  if (log.log_status) parts.push(log.log_status);
  if (log.error) parts.push(`error: ${log.error}`);
  parts.push(`id ${log.id}`);
  if (log.trace_parent_id) parts.push(`parent ${log.trace_parent_id}`);
  return parts.join('  ');
}
