import { describe, expect, it } from 'vitest';
import { parseInspectedContainers } from './compose-project.js';

/** Trimmed `docker inspect` output of two containers of a smoke run (Docker 20.10). */
const inspected = JSON.stringify([
  {
    Id: 'c92d086d459c',
    Name: '/meshcall-smoke-1_coturn_1',
    Config: { Labels: { 'com.docker.compose.project': 'meshcall-smoke-1', 'com.docker.compose.service': 'coturn' } },
    State: { Running: true, Health: { Status: 'healthy' } },
    NetworkSettings: {
      Ports: {
        '3478/udp': [{ HostIp: '127.0.0.1', HostPort: '13478' }],
        '5349/udp': null,
        '49160/udp': [{ HostIp: '127.0.0.1', HostPort: '49160' }],
      },
    },
    Mounts: [],
  },
  {
    Id: '0a1b2c3d4e5f',
    Name: '/meshcall-smoke-1_mongo_1',
    Config: { Labels: { 'com.docker.compose.service': 'mongo' } },
    State: { Running: false, ExitCode: 137 },
    NetworkSettings: { Ports: {} },
    Mounts: [
      { Type: 'volume', Name: 'meshcall-smoke-1_mongo-data' },
      { Type: 'volume', Name: 'd3212c1c6386' },
      { Type: 'bind', Source: '/etc/hosts' },
    ],
  },
]);

describe('parseInspectedContainers', () => {
  it('keeps service, state, health, every published binding and every volume', () => {
    expect(parseInspectedContainers(inspected)).toEqual([
      {
        id: 'c92d086d459c',
        name: 'meshcall-smoke-1_coturn_1',
        service: 'coturn',
        running: true,
        exitCode: undefined,
        health: 'healthy',
        ports: [
          { containerPort: '3478/udp', hostIp: '127.0.0.1', hostPort: '13478' },
          { containerPort: '49160/udp', hostIp: '127.0.0.1', hostPort: '49160' },
        ],
        volumes: [],
      },
      {
        id: '0a1b2c3d4e5f',
        name: 'meshcall-smoke-1_mongo_1',
        service: 'mongo',
        running: false,
        exitCode: 137,
        health: undefined,
        ports: [],
        volumes: ['meshcall-smoke-1_mongo-data', 'd3212c1c6386'],
      },
    ]);
  });
});
