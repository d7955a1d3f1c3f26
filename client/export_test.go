package client

import "context"

// RefreshMe lets tests run the identities refresh that Connect makes.
func (c *Client) RefreshMe(ctx context.Context) error { return c.refreshMe(ctx) }
