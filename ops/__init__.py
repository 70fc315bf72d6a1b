"""Operations tooling for GymGenius Core: benchmarks, deployment and monitoring files."""
