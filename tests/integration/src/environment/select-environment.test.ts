import { describe, expect, it } from 'vitest';
import { dockerHostCandidates } from './docker-engine.js';
import { decideEnvironment } from './select-environment.js';

const images = { mongo: 'mongo:7', redis: 'redis:7' };
const engine = { dockerHost: 'unix:///var/run/docker.sock' };
const noEngine = { reason: 'no Docker engine answered' };

describe('decideEnvironment', () => {
  it('uses Testcontainers when an engine answers and has the images', () => {
    const selection = decideEnvironment({ requested: undefined, engine, images, missing: [] });
    expect(selection).toMatchObject({ name: 'testcontainers', dockerHost: engine.dockerHost, images });
    expect(selection.reason).toContain('docker info answered');
  });

  it('falls back to the local launcher without an engine, saying why', () => {
    expect(decideEnvironment({ requested: 'auto', engine: noEngine, images, missing: [] })).toEqual({ name: 'local', reason: noEngine.reason });
  });

  it('falls back when the engine lacks an image, since nothing may be downloaded during a run', () => {
    const selection = decideEnvironment({ requested: undefined, engine, images, missing: ['mongo:7'] });
    expect(selection.name).toBe('local');
    expect(selection.reason).toContain('mongo:7');
  });

  it('honours a forced choice and refuses one it cannot honour', () => {
    expect(decideEnvironment({ requested: 'local', engine, images, missing: [] }).name).toBe('local');
    expect(decideEnvironment({ requested: 'testcontainers', engine, images, missing: [] }).name).toBe('testcontainers');
    expect(() => decideEnvironment({ requested: 'testcontainers', engine: noEngine, images, missing: [] })).toThrow(/no Docker engine/);
    expect(() => decideEnvironment({ requested: 'testcontainers', engine, images, missing: ['redis:7'] })).toThrow(/lacks redis:7/);
    expect(() => decideEnvironment({ requested: 'kubernetes', engine, images, missing: [] })).toThrow(/auto, local or testcontainers/);
  });
});

describe('dockerHostCandidates', () => {
  it('asks only DOCKER_HOST when it is set', () => {
    expect(dockerHostCandidates({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, () => true)).toEqual(['tcp://127.0.0.1:2375']);
  });

  it("tries the project's own engine before the system socket", () => {
    expect(dockerHostCandidates({}, () => true)).toEqual(['unix:///var/lib/meshcall-docker/docker.sock', 'unix:///var/run/docker.sock']);
    expect(dockerHostCandidates({ MESHCALL_DOCKER_ROOT: '/srv/d' }, (path) => path === '/srv/d/docker.sock')[0]).toBe('unix:///srv/d/docker.sock');
    expect(dockerHostCandidates({}, () => false)).toEqual(['unix:///var/run/docker.sock']);
  });
});
