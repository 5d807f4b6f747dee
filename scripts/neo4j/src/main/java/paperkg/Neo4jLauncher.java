package paperkg;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.GraphDatabaseService;

/**
 * Starts an embedded Neo4j 5.26 Community DBMS with a Bolt connector, for paperkg's tests and
 * for developers exploring a graph by hand.
 *
 * <pre>
 *   java -cp 'target/classes:target/lib/*' paperkg.Neo4jLauncher --port 7687 --data /tmp/neo4j-dev
 * </pre>
 *
 * Options (each also readable from the environment variable in brackets):
 * --host HOST [NEO4J_HOST, default 127.0.0.1], --port PORT [NEO4J_PORT, default 7687],
 * --data DIR [NEO4J_DATA, required], --pagecache SIZE [NEO4J_PAGECACHE, default 256m].
 * The password of the user {@code neo4j} comes from NEO4J_PASSWORD (default paperkg-test, at
 * least 8 characters). Authentication is on: a wrong password fails as on a real server, but
 * failed logins never lock the user (tests fail on purpose). The password is (re)set with ALTER
 * USER at start unless data/dbms/paperkg-password.sha256 shows it is already the one given.
 *
 * Prints exactly one line "neo4j ready bolt://HOST:PORT" on stdout once Bolt accepts
 * connections and the password is set. SIGTERM/SIGINT shut the DBMS down cleanly (checkpoint)
 * and the process exits. With NEO4J_WATCH_PID=PID it also exits when process PID is gone.
 */
public final class Neo4jLauncher {
    private static final String DEFAULT_PASSWORD = "paperkg-test";
    private static final String USER = "neo4j";

    private Neo4jLauncher() {}

    public static void main(String[] args) throws Exception {
        String host = env("NEO4J_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("NEO4J_PORT", "7687"));
        String data = env("NEO4J_DATA", null);
        String pagecache = env("NEO4J_PAGECACHE", "256m");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--host" -> host = value(args, ++i, a);
                case "--port" -> port = Integer.parseInt(value(args, ++i, a));
                case "--data" -> data = value(args, ++i, a);
                case "--pagecache" -> pagecache = value(args, ++i, a);
                case "-h", "--help" -> {
                    System.out.println("usage: Neo4jLauncher --data DIR [--port 7687] [--host 127.0.0.1]"
                            + " [--pagecache 256m]   (password from NEO4J_PASSWORD)");
                    return;
                }
                default -> die("unknown argument: " + a);
            }
        }
        if (data == null || data.isBlank()) {
            die("--data DIR (or NEO4J_DATA) is required");
        }
        String password = env("NEO4J_PASSWORD", DEFAULT_PASSWORD);
        if (password.length() < 8) {
            die("NEO4J_PASSWORD must have at least 8 characters (Neo4j's minimum)");
        }

        Path home = Path.of(data).toAbsolutePath();
        Files.createDirectories(home);

        long started = System.nanoTime();
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress(host, port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress(host, port))
                .setConfig(GraphDatabaseSettings.pagecache_memory, parseBytes(pagecache))
                // Test/dev DBMS: no 256 MiB preallocated transaction-log files per database.
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Tests try wrong passwords on purpose: never lock the user out for them.
                .setConfig(GraphDatabaseSettings.auth_max_failed_attempts, 0)
                // Bolt's shutdown otherwise idles 2 x 5 s after the databases are already closed.
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time,
                        Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time,
                        Duration.ofSeconds(1))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean shutDown = new AtomicBoolean(false);
        Runnable shutdown = () -> {
            if (shutDown.compareAndSet(false, true)) {
                System.out.println("neo4j shutting down");
                System.out.flush();
                try {
                    dbms.shutdown();
                } finally {
                    System.out.println("neo4j stopped");
                    System.out.flush();
                    stopped.countDown();
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "neo4j-shutdown"));

        long dbmsMs = 0;
        try {
            dbmsMs = (System.nanoTime() - started) / 1_000_000;
            setPassword(dbms, home, password);
            waitForBolt(host, port);
        } catch (Exception e) {
            System.err.println("neo4j failed to start: " + e);
            e.printStackTrace();
            shutdown.run();
            System.exit(1);
        }

        watchParent();
        long ms = (System.nanoTime() - started) / 1_000_000;
        System.err.println("neo4j " + neo4jVersion() + " started in " + ms + " ms (databases up after "
                + dbmsMs + " ms), data " + home);
        System.out.println("neo4j ready bolt://" + host + ":" + port);
        System.out.flush();
        stopped.await();
    }

    /**
     * With NEO4J_WATCH_PID set (the test helper sets it to its own pid), exit cleanly once that
     * process is gone, so a test run killed hard leaves no Neo4j behind.
     */
    private static void watchParent() {
        String pid = env("NEO4J_WATCH_PID", null);
        if (pid == null) {
            return;
        }
        ProcessHandle parent = ProcessHandle.of(Long.parseLong(pid.trim())).orElse(null);
        Thread t = new Thread(() -> {
            while (parent != null && parent.isAlive()) {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("neo4j: watched process " + pid + " is gone, shutting down");
            System.exit(0);
        }, "neo4j-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Sets the password of {@code neo4j} (no change required). A Cypher ALTER USER costs seconds
     * (the Cypher stack warms up), so a marker file with a salted hash of the password set last
     * lets restarts on the same data dir with the same password skip it.
     */
    private static void setPassword(DatabaseManagementService dbms, Path home, String password)
            throws IOException {
        Path marker = home.resolve("data").resolve("dbms").resolve("paperkg-password.sha256");
        if (Files.isRegularFile(marker)) {
            String[] saltAndHash = Files.readString(marker, StandardCharsets.UTF_8).trim().split(":");
            if (saltAndHash.length == 2 && saltAndHash[1].equals(sha256(saltAndHash[0], password))) {
                return;
            }
        }
        GraphDatabaseService system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
        String quoted = "'" + password.replace("\\", "\\\\").replace("'", "\\'") + "'";
        try {
            system.executeTransactionally(
                    "ALTER USER " + USER + " SET PASSWORD " + quoted + " CHANGE NOT REQUIRED");
        } catch (RuntimeException e) {
            // Neo4j refuses to "change" a password to itself: it already is what we want.
            if (!messages(e).toLowerCase(Locale.ROOT).contains("cannot be the same")) {
                throw e;
            }
            system.executeTransactionally("ALTER USER " + USER + " SET PASSWORD CHANGE NOT REQUIRED");
        }
        byte[] saltBytes = new byte[16];
        new SecureRandom().nextBytes(saltBytes);
        String salt = HexFormat.of().formatHex(saltBytes);
        Files.createDirectories(marker.getParent());
        Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
        Files.writeString(tmp, salt + ":" + sha256(salt, password) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, marker, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static String sha256(String salt, String password) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            return HexFormat.of().formatHex(md.digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitForBolt(String host, int port) throws IOException, InterruptedException {
        IOException last = null;
        for (int i = 0; i < 300; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), 1000);
                return;
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new IOException("Bolt did not accept connections on " + host + ":" + port, last);
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append('\n');
        }
        return sb.toString();
    }

    private static String neo4jVersion() {
        Package p = DatabaseManagementService.class.getPackage();
        String v = p == null ? null : p.getImplementationVersion();
        return v == null ? "5.26" : v;
    }

    private static long parseBytes(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        if (t.endsWith("k")) {
            mult = 1L << 10;
        } else if (t.endsWith("m")) {
            mult = 1L << 20;
        } else if (t.endsWith("g")) {
            mult = 1L << 30;
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * mult;
    }

    private static String env(String name, String dflt) {
        String v = System.getenv(name);
        return v == null || v.isEmpty() ? dflt : v;
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            die(flag + " needs a value");
        }
        return args[i];
    }

    private static void die(String msg) {
        System.err.println("Neo4jLauncher: " + msg);
        System.exit(2);
    }
}
