package trustmark

// UserTx is the part of Tx that keeps portal users and their sessions.
type UserTx interface{}
