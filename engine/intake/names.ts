/**
 * Kubernetes names, checked at intake as the API server checks them: a namespace and a container
 * name are DNS-1123 labels, an object name a DNS-1123 subdomain, a kind an identifier. Names end up
 * in file paths, branch names and commands; anything else (`x/../../victim`, an ANSI escape, a
 * megabyte of dashes for a regex to chew on) is refused here, naming where it came from.
 */
import { InputError, quote } from '../model/errors.ts';

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export type NameRule = 'label' | 'subdomain' | 'kind';

const RULES: Record<NameRule, string> = {
  label:
    'DNS-1123 label: lowercase letters, digits and -, starting and ending with a letter or digit, at most 63 characters',
  subdomain:
    'DNS-1123 subdomain: lowercase letters, digits, - and ., each part starting and ending with a letter or digit, at most 253 characters',
  kind: 'a kind: letters and digits, starting with a letter, at most 63 characters',
};

export function isKubernetesName(value: string, rule: NameRule): boolean {
  if (rule === 'kind') return value.length <= 63 && KIND.test(value);
  if (rule === 'label') return value.length <= 63 && LABEL.test(value);
  return value.length <= 253 && value.split('.').every((part) => part.length <= 63 && LABEL.test(part));
}

/** Throws InputError `invalid-name` naming `where` (e.g. `alerts[0].labels.deployment in file.json`). */
export function checkName(value: string, rule: NameRule, where: string): string {
  if (!isKubernetesName(value, rule)) {
    throw new InputError(`${where}: ${quote(value, 80)} is not a valid Kubernetes name (${RULES[rule]})`, {
      code: 'invalid-name',
    });
  }
  return value;
}

/** A cluster is an Argo CD destination name or server URL: any printable text of at most 253 characters. */
export function checkCluster(value: string, where: string): string {
  if (value.length === 0 || value.length > 253 || CONTROL.test(value)) {
    throw new InputError(`${where}: ${quote(value, 80)} is not a cluster name (printable, at most 253 characters)`, {
      code: 'invalid-name',
    });
  }
  return value;
}
