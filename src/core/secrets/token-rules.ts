// The provider token shapes of rules.json, compiled once: a rule runs only on text that holds one of its
// keywords, so a 10 kB ticket is scanned by the few rules that can match it, not by all of them.
import data from './rules.json' with { type: 'json' };

export interface TokenRule {
  id: string;
  description: string;
  keywords: string[];
  pattern: RegExp;
}

interface RuleData {
  id: string;
  description: string;
  keywords: string[];
  regex: string;
  flags?: string;
}

function compile(rule: RuleData): TokenRule {
  if (!rule.id || rule.keywords.length === 0 || rule.keywords.some((k) => k !== k.toLowerCase())) {
    throw new Error(`secret rule ${rule.id || '(no id)'}: needs an id and lower-case keywords`);
  }
  if (/[gy]/.test(rule.flags ?? '')) throw new Error(`secret rule ${rule.id}: flags g and y are set by the loader`);
  return {
    id: rule.id,
    description: rule.description,
    keywords: rule.keywords,
    pattern: new RegExp(rule.regex, `g${rule.flags ?? ''}`),
  };
}

export const TOKEN_RULES: readonly TokenRule[] = Object.freeze((data.rules as RuleData[]).map(compile));

/**
 * Replaces every match by `marker`. A rule with a named group `secret` (always the end of its match) keeps
 * what comes before it, so `AccountKey=` stays readable and only the key goes.
 */
function replaceMatches(text: string, rule: TokenRule, marker: string): string {
  return text.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
    const groups = rest.at(-1);
    const secret =
      typeof groups === 'object' && groups !== null ? (groups as Record<string, string | undefined>).secret : undefined;
    return secret && match.endsWith(secret) ? match.slice(0, match.length - secret.length) + marker : marker;
  });
}

export function redactTokens(text: string, marker: string): string {
  let lower = text.toLowerCase();
  let out = text;
  for (const rule of TOKEN_RULES) {
    if (!rule.keywords.some((keyword) => lower.includes(keyword))) continue;
    const next = replaceMatches(out, rule, marker);
    if (next !== out) {
      out = next;
      lower = out.toLowerCase();
    }
  }
  return out;
}
