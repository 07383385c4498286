/** The perception model salve ships (fitted by `npm run fit:perception`), checked at load. */
import json from '../../../models/perception-v4.json' with { type: 'json' };
import { type PerceptionModel, parseModel } from './model.ts';

export const DEFAULT_MODEL: PerceptionModel = parseModel(json, 'models/perception-v4.json');
