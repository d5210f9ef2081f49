//! The ranking functions: `row_number`, `rank`, `dense_rank`, `percent_rank`, `cume_dist`,
//! computed from the partition's peer groups.

use super::Peers;
use crate::types::Value;

/// `row_number()`: the row's position in its partition, from 1.
pub fn row_number(p: &Peers, out: &mut Vec<Value>) {
    out.extend((1..=p.len() as i64).map(Value::Int));
}

/// `rank()`: the position of the row's first peer (with gaps).
pub fn rank(p: &Peers, out: &mut Vec<Value>) {
    out.extend((0..p.len()).map(|i| Value::Int(p.peers_start(i) as i64 + 1)));
}

/// `dense_rank()`: the number of the row's peer group (without gaps).
pub fn dense_rank(p: &Peers, out: &mut Vec<Value>) {
    out.extend((0..p.len()).map(|i| Value::Int(p.group(i) as i64 + 1)));
}

/// `percent_rank()`: `(rank - 1) / (partition rows - 1)`, 0 for a one-row partition.
pub fn percent_rank(p: &Peers, out: &mut Vec<Value>) {
    let len = p.len();
    out.extend((0..len).map(|i| {
        Value::Float(if len > 1 {
            p.peers_start(i) as f64 / (len - 1) as f64
        } else {
            0.0
        })
    }));
}

/// `cume_dist()`: the share of the partition's rows up to the row's last peer.
pub fn cume_dist(p: &Peers, out: &mut Vec<Value>) {
    let len = p.len();
    out.extend((0..len).map(|i| Value::Float(p.peers_end(i) as f64 / len as f64)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(values: Vec<Value>) -> Vec<i64> {
        values
            .into_iter()
            .map(|v| match v {
                Value::Int(i) => i,
                other => panic!("not an integer: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn ranks_over_peer_groups() {
        // ORDER BY x over x = 10 10 20 30 30
        let x = [10, 10, 20, 30, 30];
        let p = Peers::new(x.len(), |i| x[i] == x[i - 1]);
        let run = |f: fn(&Peers, &mut Vec<Value>)| {
            let mut out = Vec::new();
            f(&p, &mut out);
            out
        };
        assert_eq!(ints(run(row_number)), [1, 2, 3, 4, 5]);
        assert_eq!(ints(run(rank)), [1, 1, 3, 4, 4]);
        assert_eq!(ints(run(dense_rank)), [1, 1, 2, 3, 3]);
        assert_eq!(
            run(percent_rank),
            [0.0, 0.0, 0.5, 0.75, 0.75].map(Value::Float)
        );
        assert_eq!(run(cume_dist), [0.4, 0.4, 0.6, 1.0, 1.0].map(Value::Float));
    }
}
