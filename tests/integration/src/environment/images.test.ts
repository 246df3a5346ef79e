import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@meshcall/stack';
import { describe, expect, it } from 'vitest';
import { STACK_IMAGES, chooseImages, isFerretDbImage, parseEnvFile, requiredImages } from './images.js';

describe('parseEnvFile', () => {
  it('reads NAME=value lines and skips comments and blank lines', () => {
    const text = ['# offline set', '', 'MONGO_IMAGE=meshcall/ferretdb:1.24', 'REDIS_IMAGE = not-a-variable', 'NODE_IMAGE=meshcall/node:24'].join('\n');
    expect(parseEnvFile(text)).toEqual({ MONGO_IMAGE: 'meshcall/ferretdb:1.24', NODE_IMAGE: 'meshcall/node:24' });
  });

  it('strips quotes, export and trailing comments', () => {
    const text = 'export REDIS_IMAGE="meshcall/redis:7"\nMONGO_IMAGE=mongo:7 # upstream\nQUOTED=\'a # b\'';
    expect(parseEnvFile(text)).toEqual({ REDIS_IMAGE: 'meshcall/redis:7', MONGO_IMAGE: 'mongo:7', QUOTED: 'a # b' });
  });
});

describe('chooseImages', () => {
  it('uses the upstream images when nothing else is given', () => {
    expect(chooseImages({})).toEqual({ mongo: 'mongo:7', redis: 'redis:7' });
  });

  it('prefers the offline image set over upstream, and an explicit variable over both', () => {
    const offline = { MONGO_IMAGE: 'meshcall/ferretdb:1.24', REDIS_IMAGE: 'meshcall/redis:7' };
    expect(chooseImages({}, offline)).toEqual({ mongo: 'meshcall/ferretdb:1.24', redis: 'meshcall/redis:7' });
    expect(chooseImages({ MONGO_IMAGE: 'mongo:7.0.14', REDIS_IMAGE: '' }, offline)).toEqual({ mongo: 'mongo:7.0.14', redis: 'meshcall/redis:7' });
  });
});

describe('isFerretDbImage', () => {
  it('tells FerretDB images from mongod ones', () => {
    expect(isFerretDbImage('meshcall/ferretdb:1.24')).toBe(true);
    expect(isFerretDbImage('ghcr.io/ferretdb/ferretdb:1.24')).toBe(true);
    expect(isFerretDbImage('mongo:7')).toBe(false);
  });
});

describe('STACK_IMAGES', () => {
  it('are the names docker-compose.yml builds the stack under, so one build serves both', () => {
    const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    const built = [...compose.matchAll(/^\s+image: (meshcall\/stack-[a-z]+:local)$/gm)].map((match) => match[1]);
    expect(built.sort()).toEqual(Object.values(STACK_IMAGES).sort());
  });

  it('are all required beside the chosen database images', () => {
    expect(requiredImages({ mongo: 'mongo:7', redis: 'redis:7' })).toEqual(['mongo:7', 'redis:7', ...Object.values(STACK_IMAGES)]);
  });
});
