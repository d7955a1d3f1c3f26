//go:build !js

package relay

import (
	"net/http"
	"strconv"

	"sambung/relay/store"
	"sambung/wire"
)

func (s *Server) deviceList(r *http.Request, d device) (wire.DeviceList, error) {
	_, devs, err := s.st.Person(r.Context(), d.person)
	if err != nil {
		return wire.DeviceList{}, err
	}
	l := wire.DeviceList{Devices: []wire.DeviceInfo{}}
	for i := range devs {
		l.Devices = append(l.Devices, devs[i].Info())
	}
	return l, nil
}

func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request, d device) error {
	l, err := s.deviceList(r, d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, &l)
}

// handleRemoveDevice removes one of the person's devices: its token stops
// working at once, its websockets are closed, its mailbox is deleted.
func (s *Server) handleRemoveDevice(w http.ResponseWriter, r *http.Request, d device) error {
	n, err := strconv.ParseUint(r.PathValue("id"), 10, 32)
	if err != nil || n == 0 {
		return wire.Errorf(wire.CodeBadRequest, "a device id is an integer from 1")
	}
	gone := store.MailboxID{Person: d.person, Device: uint32(n)}
	if err := s.st.RemoveDevice(r.Context(), gone.Person, gone.Device); err != nil {
		return err
	}
	s.hub.kick(gone, wire.CodeDeviceRemoved)
	if err := s.st.Drop(r.Context(), gone); err != nil {
		return err
	}
	s.log.Info("device removed", "mailbox", gone.String())
	l, err := s.deviceList(r, d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, &l)
}
