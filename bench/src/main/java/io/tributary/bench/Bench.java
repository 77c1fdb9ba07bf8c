package io.tributary.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry point of {@code bench/run <name> [quick]}. Each benchmark prints its figures as a
 * table; nothing is asserted (figures go into the issue notes, never into timed tests).
 */
public final class Bench {
    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of("bench/target/data");
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--data") && i + 1 < args.length) {
                data = Path.of(args[++i]);
            } else {
                rest.add(args[i]);
            }
        }
        String name = rest.isEmpty() ? "help" : rest.get(0);
        boolean quick = rest.contains("quick");
        switch (name) {
            case "storage-engine" -> new StorageEngineBench(data.resolve("storage-engine"), quick).run();
            case "routing" -> new RoutingBench(data.resolve("routing"), quick).run();
            case "replication" -> new ReplicationBench(data.resolve("replication"), quick).run();
            case "consumption" -> new ConsumptionBench(data.resolve("consumption"), quick).run();
            case "delayed" -> new DelayBench(data.resolve("delayed"), quick).run();
            case "move" -> new MoveBench(data.resolve("move"), quick).run();
            case "compare" -> new io.tributary.bench.compare.CompareBench(repoRoot(), data.resolve("compare"), quick,
                    rest.subList(1, rest.size()).stream().filter(a -> !a.equals("quick")).toList()).run();
            default -> {
                System.out.println("usage: bench/run storage-engine|routing|replication|consumption|delayed|move|compare [quick]");
                System.exit(name.equals("help") ? 0 : 2);
            }
        }
        System.exit(0); // do not wait for pool threads of the libraries used
    }

    private static Path repoRoot() {
        Path repo = Path.of("").toAbsolutePath();
        while (!java.nio.file.Files.exists(repo.resolve("mvnw"))) {
            repo = repo.getParent();
        }
        return repo;
    }
}
