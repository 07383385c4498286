/** NAB's three cost matrices (config/profiles.json of NAB v1.1). */
export interface CostProfile {
  name: ProfileName;
  tpWeight: number;
  fnWeight: number;
  fpWeight: number;
}

export type ProfileName = 'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate';

export const PROFILES: readonly CostProfile[] = [
  { name: 'standard', tpWeight: 1, fnWeight: 1, fpWeight: 0.11 },
  { name: 'reward_low_FP_rate', tpWeight: 1, fnWeight: 1, fpWeight: 0.22 },
  { name: 'reward_low_FN_rate', tpWeight: 1, fnWeight: 2, fpWeight: 0.11 },
];

export function profile(name: ProfileName): CostProfile {
  return PROFILES.find((p) => p.name === name) as CostProfile;
}
