/**
 * `TRUST_PROXY` for the services the Docker tiers run (compose and Testcontainers): whose
 * `X-Forwarded-For` to believe. The engine those tiers start hands out every address from
 * 198.19.0.0/16 (scripts/docker/lib.sh), inside the benchmarking block that tests may use, so
 * "uniquelocal" alone (10/8, 172.16/12, 192.168/16, fc00::/7) would no longer cover the gateway
 * and the tests' own address on the network; it stays for an engine with Docker's defaults.
 */
export const DOCKER_TEST_TRUSTED_PROXIES = 'uniquelocal,198.18.0.0/15';
