// JDBC client for the transaction-pooling e2e test: several connections, each preparing one
// statement and executing it in many separate transactions (prepareThreshold=1 makes the
// driver switch to a named server-side statement at once), while pgfront lends each
// transaction whichever server connection is free. Prints one JSON line.
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

public class PreparedLoop {
    public static void main(String[] args) throws Exception {
        final String url = args[0];
        final String user = args[1];
        final String password = args[2];
        final int threads = Integer.parseInt(args[3]);
        final int iterations = Integer.parseInt(args[4]);
        final AtomicInteger errors = new AtomicInteger();
        final AtomicInteger executions = new AtomicInteger();
        final Set<Integer> pids = ConcurrentHashMap.newKeySet();
        final StringBuffer firstError = new StringBuffer();
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            final int offset = t * 1000000;
            workers[t] = new Thread(() -> {
                try (Connection conn = DriverManager.getConnection(url, user, password)) {
                    conn.setAutoCommit(false);
                    try (PreparedStatement ps = conn.prepareStatement(
                            "SELECT ?::int + 1, pg_backend_pid(), current_setting('TimeZone')")) {
                        for (int i = 0; i < iterations; i++) {
                            try {
                                ps.setInt(1, offset + i);
                                try (ResultSet rs = ps.executeQuery()) {
                                    rs.next();
                                    if (rs.getInt(1) != offset + i + 1) throw new IllegalStateException("wrong result");
                                    pids.add(rs.getInt(2));
                                }
                                conn.commit();
                                executions.incrementAndGet();
                            } catch (Exception e) {
                                if (errors.incrementAndGet() == 1) firstError.append(e.toString());
                                try { conn.rollback(); } catch (Exception ignored) { }
                            }
                        }
                    }
                } catch (Exception e) {
                    if (errors.incrementAndGet() == 1) firstError.append(e.toString());
                }
            });
            workers[t].start();
        }
        for (Thread w : workers) w.join(120000);
        System.out.println("{\"errors\": " + errors.get() + ", \"executions\": " + executions.get()
                + ", \"server_pids\": " + pids.size() + ", \"first_error\": \""
                + firstError.toString().replace("\\", "\\\\").replace("\"", "'") + "\"}");
    }
}
