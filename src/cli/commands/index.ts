// Every CLI command, in the order `steplens help` lists them.
import type { Command } from '../command.ts';
import { execCommand } from './exec.ts';
import { demoCommand } from './demo.ts';
import { metricsCommand } from './metrics.ts';
import { planCommand } from './plan.ts';
import { rewardCommand } from './reward.ts';
import { stepsCommand } from './steps.ts';
import { matchCommand } from './match.ts';
import { scoreCommand } from './score.ts';
import { lspCommand } from './lsp.ts';
import { exportCommand } from './export.ts';
import { compareCommand } from './compare.ts';

export const COMMANDS: Command[] = [demoCommand, stepsCommand, planCommand, matchCommand, scoreCommand, compareCommand, exportCommand, metricsCommand, rewardCommand, execCommand, lspCommand];
