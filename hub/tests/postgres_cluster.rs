//! The throwaway PostgreSQL cluster the hub's storage tests run on: it starts from Debian's
//! binaries with no system service, takes a connection on its private socket, keeps what is
//! written, and is gone — server and files — when dropped.

use hotline_testkit::postgres::PgCluster;

#[tokio::test]
async fn a_throwaway_cluster_serves_a_connection_and_leaves_nothing_behind() {
    let cluster = PgCluster::start();
    let (client, connection) =
        tokio_postgres::connect(&cluster.conn_str("postgres"), tokio_postgres::NoTls)
            .await
            .unwrap();
    let driver = tokio::spawn(connection);
    client
        .batch_execute("CREATE TABLE probe (id BIGINT PRIMARY KEY, text TEXT NOT NULL)")
        .await
        .unwrap();
    client
        .execute("INSERT INTO probe VALUES ($1, $2)", &[&7i64, &"路灯不亮"])
        .await
        .unwrap();
    let row = client
        .query_one("SELECT text FROM probe WHERE id = $1", &[&7i64])
        .await
        .unwrap();
    assert_eq!(row.get::<_, String>(0), "路灯不亮");
    drop(client);
    let _ = driver.await;
    let socket = cluster.socket_dir().to_path_buf();
    drop(cluster);
    assert!(!socket.exists(), "the cluster's folder is removed");
}
