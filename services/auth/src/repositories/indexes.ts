import type { FastifyBaseLogger } from 'fastify';
import type { Model } from 'mongoose';
import { AppError, ErrorCode } from '@meshcall/shared';

export interface IndexGuard {
  /** True once every index exists; tries (again) to build them if not. */
  ensure(): Promise<boolean>;
  /** Route hook: 503 until the indexes exist, since the unique email index is what keeps sign-ups honest. */
  require(): Promise<void>;
}

/**
 * Builds the models' indexes once the database answers, retrying on the next call after a
 * failure. Nothing that writes may run before: a sign-up accepted before the unique index exists
 * could create a duplicate that would then stop the index from ever being built.
 */
export function indexGuard(models: ReadonlyArray<Pick<Model<never>, 'createIndexes' | 'modelName'>>, log: FastifyBaseLogger): IndexGuard {
  let built: Promise<void> | undefined;
  const ensure = async (): Promise<boolean> => {
    built ??= Promise.all(models.map((model) => model.createIndexes())).then(() => {
      log.info({ models: models.map((m) => m.modelName) }, 'database indexes in place');
    });
    try {
      await built;
      return true;
    } catch (error) {
      built = undefined;
      log.warn({ reason: (error as Error).message }, 'database indexes not built yet');
      return false;
    }
  };
  return {
    ensure,
    async require() {
      if (!(await ensure())) throw new AppError(ErrorCode.UNAVAILABLE);
    },
  };
}
